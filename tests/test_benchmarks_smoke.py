"""The benchmark harness runs end to end on a tiny size and reports every documented key."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEYS = {
    "cycle_s", "bare_parse_s", "feedparser_s", "ratio", "cycle_304_s", "command_p50_ms", "command_p99_ms",
    "digest_1000_s", "peak_rss_mb", "peak_rss_cycle_mb", "items_per_s", "stage_fetch_s", "stage_parse_s",
    "stage_normalize_s", "stage_dedupe_s", "stage_analyse_s", "stage_store_s", "stage_cpu_main_s",
    "stage_cpu_workers_s", "cpu_count", "python", "platform",
}


def test_small_run_prints_a_complete_json_report(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--feeds", "5", "--items", "10", "--stored", "1000",
         "--subscriptions", "10", "--command-runs", "5", "--workers", "0", "--workdir", str(tmp_path),
         "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert KEYS <= report.keys()
    assert report["entries"] == 50 and report["new_items"] == 50 and report["feed_errors"] == 0
    assert report["relevant"] > 0  # the US–China share reached the analysis stages
    assert report["not_modified_304"] == 4  # feeds 1-4 send ETags; feed 0 does not
    assert report["same_body_304"] == 1  # feed 0 sends the same bytes again, which are not parsed twice
    assert report["at_1000_summary_p99_ms"] > 0 and report["at_1000_deadlines_p99_ms"] > 0
