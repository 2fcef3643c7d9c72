//! ficus-web
