"""For developers: generated reports and stores with known values, and the benchmark."""
