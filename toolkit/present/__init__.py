"""What people see: charts, number formats, the explorer and its widgets, the teaching lab."""
