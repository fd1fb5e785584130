"""The campaign pages' forms through Flask's test client (issue 15)."""
