"""Lets these tests run from a checkout without installing the example (pip install -e . would too)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
