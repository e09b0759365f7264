"""Domain values: the frozen dataclasses, dates and durations every layer speaks. Imports nothing of ours."""
