"""Reading operands and problems: files, stdin and inline text into exact arrays."""
