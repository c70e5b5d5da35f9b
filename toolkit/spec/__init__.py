"""What a report is: the national template as data, and the toolkit's vocabulary and errors."""
