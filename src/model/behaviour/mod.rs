//! How residents behave: the equations of the decision rule and of the slow dynamics.

pub mod rules;
