package org.descent.job.config;

/**
 * {@code training.storage-level}: how the row blocks are cached. {@code memory-only}: deserialized, recomputed from
 * the input if evicted; {@code memory-and-disk}: deserialized, spilled to local disk when storage memory is full;
 * {@code memory-and-disk-ser}: serialized in memory (smaller, each read deserializes a copy) and spilled to disk, for
 * data larger than the executors' storage memory. All give the same bits.
 */
public enum StorageChoice { MEMORY_ONLY, MEMORY_AND_DISK, MEMORY_AND_DISK_SER }
