//! ficus-gen
