package org.descent.job.data;

import java.io.IOException;
import java.io.Serializable;
import java.util.Iterator;
import java.util.NoSuchElementException;

import org.apache.parquet.VersionParser;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.impl.ColumnReaderImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * One row group's rows for {@link ParquetRowGroups}, in file order, as internal rows
 * (file path, 0-based row index, [label], features) with the dataset's Spark types, except that the features are a
 * {@link Values} (the row's values as doubles, exact length) instead of Spark's array format: {@link ParquetParser}
 * takes them as they are (copying them into and back out of an {@code UnsafeArrayData} cost a quarter of the read).
 * The features column is decoded a page at a time ({@link ParquetPages}). A row starts at each features value of
 * repetition level 0; the definition level says what it is (standard three-level list
 * {@code [optional|required] group (LIST) { repeated group { [optional|required] element } }}, base = 1 if the list
 * is optional else 0): below base a null array, base an empty array, maxDef - 1 with an optional element a null
 * element, maxDef a value. Each row is built before the next is read and the row object is reused, and so is the
 * array of its values while the rows have one length: {@link Scan#chunks} parses every record, and
 * {@link ParsedChunk#add} copies its values, before reading the next (a fresh 6 KB array per Fashion-MNIST row was 440
 * MB of garbage, a tenth of the read's CPU in page faults, zeroing and young collections; issue 17).
 */
final class ParquetRowGroupReader implements Iterator<InternalRow> {
    /** What to read: the label (null name: absent) and the features column, with their Spark types. */
    record Columns(String labelName, DataType labelType, String featuresName, DataType elementType) implements Serializable {}

    /**
     * A row's features: its values widened to double (as {@code ArrayData.getFloat/getInt/getLong} widened give them;
     * a null element's slot holds 0) and the index of its first null element, or -1. The array is valid until the next
     * row is read. When every value of the row came from the column chunk's dictionary, {@code ids} holds their ids
     * ({@code values[k] == dictionary[ids[k]]}, same length, valid as long) and {@code dictionary} is that chunk's
     * (one array per chunk), else both are null: {@link ParsedChunk#add} codes a row by id, once per id.
     */
    record Values(double[] values, int firstNull, int[] ids, double[] dictionary) {}

    private static final PrimitiveConverter NO_CONVERTER = new PrimitiveConverter() {};

    private final Columns cols;
    private final GenericInternalRow row;
    private final int featuresPos;
    private final UTF8String file;
    private long rowsLeft;
    private long rowIndex;
    private ColumnReaderImpl label;
    private int labelMaxDef;
    private ParquetPages features;
    private long featuresLeft;
    private int base;
    private int maxDef;
    private boolean elementOptional;
    private double[] buf = new double[0];
    /** The last row's values (exact length), handed out again for the next row of that length. */
    private double[] out = new double[0];
    /** The dictionary ids of {@link #buf}'s values and of {@link #out}'s (as those arrays). */
    private int[] idBuf = new int[0];
    private int[] idOut = new int[0];

    /**
     * The rows of row group {@code g} of the open {@code reader} (which the caller closes).
     *
     * @param file the file's path as {@code _metadata.file_path} names it
     */
    ParquetRowGroupReader(ParquetFileReader reader, String file, int g, Columns cols) throws IOException {
        this.cols = cols;
        this.file = UTF8String.fromString(file);
        this.featuresPos = cols.labelName() == null ? 2 : 3;
        this.row = new GenericInternalRow(featuresPos + 1);
        openGroup(reader, g);
    }

    @Override
    public boolean hasNext() {
        return rowsLeft > 0;
    }

    @Override
    public InternalRow next() {
        if (!hasNext()) throw new NoSuchElementException();
        row.update(0, file);
        row.setLong(1, rowIndex++);
        rowsLeft--;
        if (label != null) {
            row.update(2, label.getCurrentDefinitionLevel() == labelMaxDef ? value(label, cols.labelType()) : null);
            label.consume();
        }
        try {
            row.update(featuresPos, nextArray());
        } catch (IOException e) {
            throw new DataException("cannot read Parquet file " + file + ": " + e.getMessage(), e);
        }
        return row;
    }

    /** The next row's features, or null (a null array): reads levels up to the next repetition level 0. */
    private Values nextArray() throws IOException {
        if (featuresLeft <= 0 || features.rep() != 0) throw misaligned();
        int n = 0;
        int firstNull = -1;
        boolean nullArray = false;
        boolean allIds = features.dictionary() != null; // every value so far has its id in idBuf
        double[] b = buf;
        while (true) {
            int d = features.def();
            if (d == maxDef || (elementOptional && d == maxDef - 1)) {
                if (n == b.length) b = buf = java.util.Arrays.copyOf(b, Math.max(16, 2 * n));
                if (allIds && idBuf.length != b.length) idBuf = java.util.Arrays.copyOf(idBuf, b.length);
                if (d == maxDef) {
                    allIds &= features.dictionaryPage();
                    int c = features.copyRun(b, allIds ? idBuf : null, n, b.length - n); // this value and the present ones after it
                    n += c;
                    featuresLeft -= c - 1;
                } else {
                    if (firstNull < 0) firstNull = n;
                    b[n++] = 0;
                    allIds = false;
                }
            } else if (d < base) {
                nullArray = true;
            } // d == base: an empty list
            if (--featuresLeft == 0) break;
            if (!features.next()) throw misaligned();
            if (features.rep() == 0) break;
        }
        if (nullArray) return null;
        if (out.length != n) out = new double[n];
        System.arraycopy(b, 0, out, 0, n);
        if (!allIds) return new Values(out, firstNull, null, null);
        if (idOut.length != n) idOut = new int[n];
        System.arraycopy(idBuf, 0, idOut, 0, n);
        return new Values(out, firstNull, idOut, features.dictionary());
    }

    private IllegalStateException misaligned() {
        return new IllegalStateException("Parquet file " + file + ": column '" + cols.featuresName()
                + "' does not line up with the row count at row " + (rowIndex - 1));
    }

    private static Object value(ColumnReaderImpl r, DataType t) {
        if (t instanceof DoubleType) return r.getDouble();
        if (t instanceof FloatType) return r.getFloat();
        if (t instanceof IntegerType) return r.getInteger();
        return r.getLong();
    }

    /** Positions the column readers on row group {@code g} of the open file (its rows: rowsLeft from rowIndex). */
    private void openGroup(ParquetFileReader reader, int g) throws IOException {
        BlockMetaData block = reader.getRowGroups().get(g);
        if (block.getRowCount() == 0) return;
        if (block.getRowIndexOffset() < 0) throw new ParquetRowGroups.Unsupported("no row index offset in " + file);
        MessageType schema = reader.getFooter().getFileMetaData().getSchema();
        String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
        VersionParser.ParsedVersion version;
        try {
            version = createdBy == null ? null : VersionParser.parse(createdBy);
        } catch (VersionParser.VersionParseException | RuntimeException e) {
            version = null;
        }
        PageReadStore pages = reader.readRowGroup(g);
        if (cols.labelName() != null) {
            ColumnDescriptor ld = schema.getColumnDescription(new String[] {labelField(schema).getName()});
            label = new ColumnReaderImpl(ld, pages.getPageReader(ld), NO_CONVERTER, version);
            labelMaxDef = ld.getMaxDefinitionLevel();
        }
        ColumnDescriptor fd = featuresColumn(schema);
        features = new ParquetPages(fd, pages.getPageReader(fd));
        featuresLeft = pages.getPageReader(fd).getTotalValueCount();
        if (featuresLeft > 0 && !features.next()) throw misaligned();
        maxDef = fd.getMaxDefinitionLevel();
        base = schema.getType(cols.featuresName()).isRepetition(Type.Repetition.OPTIONAL) ? 1 : 0;
        elementOptional = maxDef == base + 2;
        rowsLeft = block.getRowCount();
        rowIndex = block.getRowIndexOffset();
    }

    private Type labelField(MessageType schema) {
        String name = cols.labelName();
        if (!schema.containsField(name)) throw unsupported("no column '" + name + "'");
        Type t = schema.getType(name);
        if (!t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED)) throw unsupported("column '" + name + "' is not a plain number");
        requirePlain(t, cols.labelType());
        return t;
    }

    /** The leaf of a standard three-level list of plain numbers, as the dataset's element type. */
    private ColumnDescriptor featuresColumn(MessageType schema) {
        String name = cols.featuresName();
        if (!schema.containsField(name)) throw unsupported("no column '" + name + "'");
        Type f = schema.getType(name);
        if (f.isPrimitive() || f.isRepetition(Type.Repetition.REPEATED)
                || !(f.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation)
                || f.asGroupType().getFieldCount() != 1) {
            throw unsupported("column '" + name + "' is not a standard list");
        }
        Type list = f.asGroupType().getType(0);
        if (list.isPrimitive() || !list.isRepetition(Type.Repetition.REPEATED) || list.asGroupType().getFieldCount() != 1
                || list.getName().equals("array") || list.getName().equals(name + "_tuple")) {
            throw unsupported("column '" + name + "' is a legacy list");
        }
        GroupType g = list.asGroupType();
        Type element = g.getType(0);
        if (!element.isPrimitive() || element.isRepetition(Type.Repetition.REPEATED)) {
            throw unsupported("column '" + name + "' does not hold plain numbers");
        }
        requirePlain(element, cols.elementType());
        return schema.getColumnDescription(new String[] {name, list.getName(), element.getName()});
    }

    /** The Parquet type Spark maps to {@code t} without conversion: INT32/INT64/FLOAT/DOUBLE, no annotation. */
    private void requirePlain(Type p, DataType t) {
        PrimitiveTypeName n = p.asPrimitiveType().getPrimitiveTypeName();
        PrimitiveTypeName want = t instanceof DoubleType ? PrimitiveTypeName.DOUBLE : t instanceof FloatType ? PrimitiveTypeName.FLOAT
                : t instanceof IntegerType ? PrimitiveTypeName.INT32 : PrimitiveTypeName.INT64;
        if (n != want || p.getLogicalTypeAnnotation() != null) {
            throw unsupported("column '" + p.getName() + "' is " + p + ", the data set's type is " + t.simpleString());
        }
    }

    private ParquetRowGroups.Unsupported unsupported(String what) {
        return new ParquetRowGroups.Unsupported("Parquet file " + file + ": " + what);
    }
}
