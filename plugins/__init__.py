"""Built-in Maillage plugins, one package each (registered through entry points)."""
