//! ficus-formats
