"""The first random: tiers, frame, policy, exact sampling, reserves, receipts, verification,
plans."""
