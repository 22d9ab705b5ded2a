package org.descent.job.config;

/** {@code training.storage-level}: how the row blocks are cached. */
public enum StorageChoice { MEMORY_ONLY, MEMORY_AND_DISK }
