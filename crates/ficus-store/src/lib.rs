//! ficus-store
