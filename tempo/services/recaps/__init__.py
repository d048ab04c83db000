"""Daily recaps: production when a day closes, cards, e-mails and consent."""
