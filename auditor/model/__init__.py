"""The canonical tables every stage speaks (tenants, usage, access) and how files become them."""
