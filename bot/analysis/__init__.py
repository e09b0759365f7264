"""The judgement stages: relevance, clustering, summaries and deadlines, as pure functions."""
