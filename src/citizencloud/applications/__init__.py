"""办 Apply: form definitions, cases and their workflow, the SLA clock, staff queues and
attachments."""
