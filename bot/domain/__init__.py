"""Domain values: the frozen dataclasses, dates, durations and sentences of news text every layer speaks.
Imports nothing of ours."""
