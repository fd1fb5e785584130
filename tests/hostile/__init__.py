"""The hostile-input corpus: ``make_corpus`` builds every file and says what each must get."""
