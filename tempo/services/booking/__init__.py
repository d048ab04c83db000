"""Appointments: counsellors' availability, slots, bookings, invitations, reminders."""
