"""Data protection: a person's access to their data (``my data``), its erasure (``forget me``), retention and the
audit log. Each feature declares and handles its own personal data (``PersonalData``), registered with its Feature;
this package only walks them."""
