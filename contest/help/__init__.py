"""In-app help: a short guide per role (Hướng dẫn), read on screen or printed as a PDF."""
