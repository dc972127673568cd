"""The console's routes, one module per page family; each route declares its policy action."""
