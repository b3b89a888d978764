"""The stable sampling API of SPEC section 5, kept at its published import path.

The implementation lives in ``scheduler.draw.sampling``; this module only
re-exports the two public functions so that ``scheduler.sampling.draw_sample``
and ``scheduler.sampling.inclusion_probabilities`` keep working.
"""

from scheduler.draw.sampling import draw_sample, inclusion_probabilities

__all__ = ["draw_sample", "inclusion_probabilities"]
