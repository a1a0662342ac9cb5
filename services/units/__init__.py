"""The registry of the county's Party organisations (党组织), their officials and accounts."""
