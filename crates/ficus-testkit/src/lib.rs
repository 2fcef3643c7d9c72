//! ficus-testkit
