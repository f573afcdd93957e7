"""Small framework-light helpers shared by every app."""
