"""One module per subcommand; each imports only Click at module level."""
