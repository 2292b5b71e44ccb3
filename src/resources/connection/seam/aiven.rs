//! Aiven's seam: an Aiven half has no id of its own to import by (it imports by its networks),
//! and nothing to default or warn of, so every answer is the trait's default.

use super::CloudSeam;

/// Aiven's part of the resource's generic code ([`CloudSeam`]).
pub(super) struct AivenSeam;

impl CloudSeam for AivenSeam {}
