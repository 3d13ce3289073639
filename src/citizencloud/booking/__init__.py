"""约 Book: bookable resources at service points (hall windows, hospital departments, community
rooms), their slots, bookings with a signed QR code, check-in and the queue at the point.

Capacity is decided in the database: a booking is one conditional ``UPDATE`` of its slot's
``booked`` counter (checked by rowcount) plus a row whose partial unique index allows one active
booking per person and limit group. See docs/booking.md."""
