"""The counsellors' console, one module per area; `common` holds what they share (the `console`
blueprint, the signed-in staff member, the cohort lookup, the cohort's section menu)."""
