"""Full-text search of the statements, in every language's word forms: words.py cuts text
into words and stems them, sqlite.py and postgres.py keep the index and find the matches,
query.py ranks a page of them and excerpts.py marks what matched."""
