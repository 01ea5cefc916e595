package dev.tailor.cli;

/**
 * {@link ObserveCommandTest} in the integration tier: its week goes into the real PostgreSQL server (its other cases,
 * which use no store, run again as they are).
 */
class ObserveCommandPostgresIT extends ObserveCommandTest {}
