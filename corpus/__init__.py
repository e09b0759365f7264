"""The judgement corpus: real news passages labelled for relevance, deadlines and stories, with its tools."""
