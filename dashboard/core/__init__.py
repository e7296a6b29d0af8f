"""What is shown at an instant, and all the time arithmetic: no Flask, no database."""
