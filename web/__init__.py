"""Request utilities both apps use; imports neither app."""
