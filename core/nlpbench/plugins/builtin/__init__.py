"""The core's own components. They register through the same hooks as any plugin."""
