"""The hostile-input corpus: ``make_corpus`` writes each file of ``table`` and ``table_fidelity``."""
