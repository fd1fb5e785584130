"""HTTP edge."""
