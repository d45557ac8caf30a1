"""A third-party plugin, installed beside Maillage: its routes are its own tests' business."""
