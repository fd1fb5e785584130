"""The hostile-input corpus: ``make_corpus`` writes each file the two tables list."""
