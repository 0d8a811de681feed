"""Events between services: a transactional outbox on the producer, idempotent consumers.

A producer writes an event in the same transaction as the change it announces
(`outbox.publish`), one outbox message per subscriber; a relay delivers the messages over
HTTP to each subscriber's `POST /internal/events`, at least once; a consumer records the
event ids it has processed in the same transaction as their effect.
"""
