//! Boomi query filters to Connect RQL. (Being written: see docs/architecture.md.)
