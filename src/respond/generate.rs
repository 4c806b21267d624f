//! Data generated from a response schema (filled in by the generation work).
