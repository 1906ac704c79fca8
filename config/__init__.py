"""Configuration objects: default.py holds safe defaults, one module per environment."""
