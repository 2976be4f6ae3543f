"""The command line's input: a CSV or Parquet file read into named columns, then checked and encoded into
the numeric design of a fit (`fastreg.cli`).

`read_table` gives a `Table` of `Field`s, each numeric or text (a CSV column is text when none of its
non-missing cells is a number, as R's read.csv decides; a Parquet column's type decides); `encode` picks
the target, refuses mixed columns, infinite values and (without ``dropna``) missing values, and one-hot
encodes the text columns as glmnet's ``makeX``: one indicator column per level, no reference level, the
levels sorted, named ``column=level``. A column of one level is dropped (makeX keeps it as a column of
ones, which the intercept absorbs). Every refusal is a `TableError` holding the one line to print.
"""
import csv
import io
import math
from typing import NamedTuple

import numpy as np

# what R, pandas and spreadsheets write in a cell with no value
MISSING = {"", "NA", "N/A", "#N/A", "NULL", "null", "None"}
# bounds on a column's largest |value| within which its sums of squares neither overflow nor underflow
SCALE = (1e-100, 1e100)
PARQUET_SUFFIXES = (".parquet", ".pq")
PARQUET_MAGIC = b"PAR1"
# columns named in a message before "and k more"
SHOWN = 4


class TableError(ValueError):
    """A file or its content the command line cannot use; the message is the one line to print."""


class Field(NamedTuple):
    """One column of a table: float64 values (numeric) or stripped strings (text), `missing` marking
    the rows without a value; `raw` holds a CSV column's cells as written (None for Parquet);
    `refusal` the message for a column of a type fastreg cannot use (a Parquet timestamp, ...)."""

    name: str
    values: np.ndarray
    missing: np.ndarray
    text: bool
    raw: list | None
    refusal: str = ""

    def cell(self, i):
        """Row i's value as the file shows it."""
        if self.raw is not None:
            return self.raw[i]
        return self.values[i] if self.text else f"{self.values[i]:.17g}"


class Table(NamedTuple):
    """A file's columns, the labels of its data rows (`rows[i]`: 'line 12' for CSV, 'row 12' for
    Parquet) and what was left out (`note`: row names, a pandas index)."""

    source: str
    fields: list
    rows: list
    note: str


class Dataset(NamedTuple):
    """What a fit needs: the encoded X, the target (numbers, or labels when read as labels), the names of
    X's columns, what the reader left out (`note`) and what the encoding did (`notes`, printed;
    `encoding`, saved with the model)."""

    X: np.ndarray
    y: np.ndarray
    names: list
    target: str
    note: str
    notes: list
    encoding: dict


def _number(text):
    """The float a cell holds, or None when it is not a number."""
    try:
        return float(text)
    except ValueError:
        return None


def _is_missing(cell):
    """Whether a CSV cell holds no value: empty, an NA-like word (MISSING) or NaN."""
    value = _number(cell)
    return cell.strip() in MISSING or (value is not None and math.isnan(value))


def read_table(path):
    """The file at `path` as a `Table`: Parquet when it starts with Parquet's magic bytes or is named
    .parquet / .pq, else UTF-8 CSV with a header row."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(PARQUET_MAGIC))
            parquet = head == PARQUET_MAGIC or str(path).lower().endswith(PARQUET_SUFFIXES)
            raw = None if parquet else head + f.read()  # (a Parquet file is read by pyarrow, not into memory)
    except OSError as exc:
        raise TableError(f"cannot read {path}: {exc.strerror}.") from None
    if parquet:
        return _read_parquet(path)
    return _read_csv(path, raw)


def _csv_rows(path, raw):
    """The non-blank rows of a UTF-8 CSV file (a leading BOM skipped), each with the line it starts on."""
    if b"\0" in raw[:1 << 16]:
        raise TableError(f"{path}: not a CSV table: the file holds binary data (NUL bytes); give a UTF-8 CSV "
                         f"file with a header row, or a Parquet file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise TableError(f"{path}: byte 0x{raw[exc.start]:02x} on line {line} (offset {exc.start}) is not "
                         f"UTF-8: re-save the file as UTF-8.") from None
    if text.lstrip()[:1] in ("{", "["):
        raise TableError(f"{path}: not a CSV table: it looks like JSON; give a CSV file with a header row "
                         f"naming the columns, or a Parquet file.")
    reader = csv.reader(io.StringIO(text), strict=True)
    rows, start = [], 1
    try:
        for row in reader:
            if row:
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise TableError(f"{path}: the row starting on line {start} is not valid CSV ({exc}): check its "
                         f"quotes.") from None
    return rows


def _read_csv(path, raw):
    """CSV with a header row. Fields may be quoted (R's write.csv); an unnamed first column is row names
    (R's write.csv, pandas' to_csv) and is left out."""
    rows = _csv_rows(path, raw)
    if not rows:
        raise TableError(f"{path}: the file is empty: give a header row naming the columns, then one row "
                         f"per sample.")
    header = [name.strip() for name in rows[0][1]]
    if all(_number(name) is not None for name in header):
        shown = ",".join(header[:4]) + (",..." if len(header) > 4 else "")
        raise TableError(f"{path}: the first row ({shown}) holds numbers, not column names: add a header "
                         f"row naming the columns.")
    # R's write.csv and pandas' to_csv write the row names first, under an empty name
    row_names = int(header[0] == "" and len(header) > 1)
    names = header[row_names:]
    if "" in names:
        raise TableError(f"{path}: column {names.index('') + row_names + 1} has no name in the header: name "
                         f"every column.")
    _check_unique(path, names)
    body = rows[1:]
    for line, row in body:
        if len(row) != len(header):
            raise TableError(f"{path}: line {line} has {len(row)} values but the header names {len(header)} "
                             f"columns.")
    columns = list(zip(*(row for _, row in body)))[row_names:] if body else [() for _ in names]
    fields = [_csv_field(name, list(cells)) for name, cells in zip(names, columns)]
    note = "the unnamed first column is row names, left out" if row_names else ""
    return Table(str(path), fields, [f"line {line}" for line, _ in body], note)


def _csv_field(name, cells):
    """A CSV column: numeric unless some non-missing cell is not a number (then text, or mixed: `encode`
    refuses a column that holds both)."""
    try:  # every cell a number (or nan): the common case, at the speed of float()
        values = np.array([float(cell) for cell in cells], dtype=np.float64)
    except ValueError:
        pass
    else:
        missing = np.isnan(values)
        return Field(name, np.where(missing, 0.0, values), missing, False, cells)
    n = len(cells)
    values = np.zeros(n)
    missing = np.zeros(n, dtype=bool)
    text = np.zeros(n, dtype=bool)
    for i, cell in enumerate(cells):
        if cell.strip() in MISSING:
            missing[i] = True
            continue
        value = _number(cell)
        if value is None:
            text[i] = True
        elif math.isnan(value):
            missing[i] = True
        else:
            values[i] = value
    if text.any():
        return Field(name, np.array([cell.strip() for cell in cells], dtype=object), missing, True, cells)
    return Field(name, values, missing, False, cells)


def _check_unique(path, names):
    duplicates = [name for k, name in enumerate(names) if name in names[:k]]
    if duplicates:
        raise TableError(f"{path}: the header names the column {duplicates[0]!r} twice: make the column names "
                         f"unique.")


def _read_parquet(path):
    """A Parquet file (pyarrow): numeric, boolean (0/1) and decimal columns are numeric, string and
    dictionary (pandas category) columns text, nulls and NaN missing; a pandas index is left out."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
        import pyarrow.types as pt
    except ImportError:
        raise TableError(f"{path}: reading Parquet needs pyarrow (pip install pyarrow), or save the table as "
                         f"CSV.") from None
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        reason = str(exc).partition("\n")[0]
        raise TableError(f"{path}: not a readable Parquet file ({reason}).") from None
    metadata = table.schema.pandas_metadata or {}
    index = [c for c in metadata.get("index_columns", []) if isinstance(c, str)]
    names = [name for name in table.column_names if name not in index]
    if not names:
        raise TableError(f"{path}: the Parquet file has no columns.")
    _check_unique(path, names)
    fields = []
    for name in names:
        column = table.column(name)
        kind = column.type.value_type if pt.is_dictionary(column.type) else column.type
        if pt.is_string(kind) or pt.is_large_string(kind):
            values = column.cast(pa.large_string()).to_pylist()
            missing = np.array([v is None for v in values], dtype=bool)
            text = np.array(["" if v is None else v.strip() for v in values], dtype=object)
            fields.append(Field(name, text, missing, True, None))
        elif pt.is_integer(kind) or pt.is_floating(kind) or pt.is_boolean(kind) or pt.is_decimal(kind):
            values = np.asarray(column.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
            missing = np.isnan(values)
            fields.append(Field(name, np.where(missing, 0.0, values), missing, False, None))
        else:  # refused by `encode`, after the target is known to exist
            refusal = (f"{path}: column {name!r} has Parquet type {column.type}: fastreg reads numbers, booleans "
                       f"and text labels; convert or drop the column.")
            fields.append(Field(name, np.zeros(table.num_rows), np.zeros(table.num_rows, dtype=bool), False, None,
                                refusal))
    note = f"the pandas index ({', '.join(index)}) is left out" if index else ""
    return Table(str(path), fields, [f"row {i + 1}" for i in range(table.num_rows)], note)


def _mixed(table, field):
    """(row, message) for a CSV column holding numbers and text: the first cell of the minority kind."""
    present = ~field.missing
    numbers = present & np.array([_number(v) is not None for v in field.values], dtype=bool)
    words = present & ~numbers
    where = f"{table.source}: column {field.name!r}"
    if numbers.sum() >= words.sum():
        i = int(np.argmax(words))
        return i, (f"{where}, {table.rows[i]}: {field.cell(i)!r} is not a number, but the column's other values "
                   f"are: every column must be numeric or hold text labels (categories); fix the cell or "
                   f"leave it empty (missing).")
    i = int(np.argmax(numbers))
    return i, (f"{where}, {table.rows[i]}: {field.cell(i)!r} is a number in a column of text labels: a "
               f"categorical column's levels cannot be numbers; fix the cell or leave it empty (missing).")


def _kind_error(table, field, numeric_target, labels):
    """(row, message) of the first cell of `field` the fit cannot use as its kind, or None; a column of
    class `labels` may hold anything but a refused type."""
    if field.refusal:
        return -1, field.refusal
    if labels:
        return None
    if field.text:
        if field.raw is not None and any(_number(v) is not None for v in field.values[~field.missing]):
            return _mixed(table, field)
        if numeric_target:
            i = int(np.argmax(~field.missing))
            return i, (f"{table.source}: column {field.name!r}, {table.rows[i]}: {field.cell(i)!r} is not a "
                       f"number: the target of --family gaussian must be numeric (for a target of two labels "
                       f"use --family binomial).")
        return None
    infinite = ~field.missing & ~np.isfinite(field.values)
    if infinite.any():
        i = int(np.argmax(infinite))
        return i, (f"{table.source}: column {field.name!r}, {table.rows[i]}: {field.cell(i)!r} is infinite: every "
                   f"value must be a finite number.")
    return None


def _labels(field):
    """A target column of class labels: floats when the column is numeric, else the stripped strings."""
    return field.values.astype(str) if field.text else field.values


def _missing_message(table, fields, counts):
    """One line naming the columns with missing values, how many each and the first of each."""
    parts = []
    for field, count in zip(fields, counts):
        i = int(np.argmax(field.missing))
        first = "on" if count == 1 else "first on"
        parts.append(f"column {field.name!r} ({count}, {first} {table.rows[i]}: {field.cell(i)!r})")
    shown = ", ".join(parts[:SHOWN]) + (f" and {len(parts) - SHOWN} more columns" if len(parts) > SHOWN else "")
    return (f"{table.source}: missing values in {shown}: fastreg does not impute; drop or fill those rows, or "
            f"pass --dropna to leave them out.")


def encode(table, target, *, labels=False, dropna=False):
    """The `Dataset` of `table` with `target` (a column name; None: the last column) as the target, read
    as class labels when `labels` (numbers or strings) and else as numbers.

    Checks, in this order, each refused in one `TableError` line: the target exists, there is a feature
    column and a data row; no column mixes numbers and text and no value is infinite (the first such
    cell in file order); no value is missing (all columns and counts named), unless `dropna`, which
    leaves those rows out; magnitudes within `SCALE`. Then text columns are one-hot encoded (`one_hot`).
    """
    source, fields = table.source, table.fields
    names = [f.name for f in fields]
    target = names[-1] if target is None else target
    if target not in names:
        raise TableError(f"{source}: no column named {target!r} for --target (columns: {', '.join(names)}).")
    if len(names) == 1:
        raise TableError(f"{source}: the only column is the target {target!r}: give at least one feature column "
                         f"(columns are separated by commas).")
    if not table.rows:
        raise TableError(f"{source}: no data rows below the header: add one row per sample.")
    k = names.index(target)
    errors = [error for j, f in enumerate(fields)
              if (error := _kind_error(table, f, numeric_target=j == k, labels=labels and j == k))]
    if errors:
        raise TableError(min(errors, key=lambda e: e[0])[1])
    lacking = [(f, int(f.missing.sum())) for f in fields if f.missing.any()]
    notes, dropped_rows = [], 0
    if lacking and not dropna:
        raise TableError(_missing_message(table, *zip(*lacking)))
    if lacking:
        keep = ~np.any([f.missing for f in fields], axis=0)
        dropped_rows = int((~keep).sum())
        counts = ", ".join(f"{f.name} {c}" for f, c in lacking)
        if not keep.any():
            raise TableError(f"{source}: every row has a missing value, so --dropna leaves no rows ({counts} "
                             f"missing).")
        notes.append(f"--dropna: left out {dropped_rows} of {len(table.rows)} rows with a missing value ({counts})")
        fields = [_take(f, keep) for f in fields]
    for j, f in enumerate(fields):
        if f.text or (labels and j == k):
            continue
        m = float(np.abs(f.values).max())
        if m > 0 and not SCALE[0] <= m <= SCALE[1]:
            raise TableError(f"{source}: column {f.name!r} has magnitude {m:.3g}, outside [{SCALE[0]:g}, "
                             f"{SCALE[1]:g}] where its sums of squares stay in double-precision range: rescale "
                             f"the column.")
    y = _labels(fields[k]) if labels else fields[k].values
    features = fields[:k] + fields[k + 1:]
    X, feature_names, categorical, single = one_hot(features)
    if categorical:
        notes.append("categorical columns one-hot encoded as glmnet's makeX (one column per level, no reference "
                     "level): " + ", ".join(f"{name} ({len(levels)} levels)" for name, levels in categorical.items()))
    if single:
        notes.append("dropped, one level only: " + ", ".join(f"{name} ({level!r})" for name, level in single.items()))
    if not feature_names:
        raise TableError(f"{source}: no feature column is left: every feature column has one level only.")
    clash = [name for k, name in enumerate(feature_names) if name in feature_names[:k]]
    if clash:
        raise TableError(f"{source}: the one-hot column {clash[0]!r} (a level of a categorical column) has the name "
                         f"of another column: rename one of them.")
    encoding = {"rule": "glmnet makeX: one indicator column per level, no reference level, levels sorted; "
                        "named column=level",
                "categorical": categorical, "dropped_one_level": single, "rows_dropped": dropped_rows}
    return Dataset(X, y, feature_names, target, table.note, notes, encoding)


def _take(field, rows):
    """The field restricted to the rows of the boolean mask `rows`."""
    raw = None if field.raw is None else [c for c, kept in zip(field.raw, rows) if kept]
    return field._replace(values=field.values[rows], missing=field.missing[rows], raw=raw)


def one_hot(fields):
    """X from numeric and text fields in column order, a text field replaced by one 0/1 column per level
    (levels sorted, named ``column=level``) as glmnet's makeX; a text field of one level is dropped.
    Returns X, its column names, {column: levels} and {dropped column: its level}."""
    columns, names, categorical, single = [], [], {}, {}
    for f in fields:
        if not f.text:
            columns.append(f.values)
            names.append(f.name)
            continue
        levels, codes = np.unique(f.values.astype(str), return_inverse=True)
        if levels.size == 1:
            single[f.name] = str(levels[0])
            continue
        categorical[f.name] = levels.tolist()
        columns.extend((codes == c).astype(np.float64) for c in range(levels.size))
        names.extend(f"{f.name}={level}" for level in levels.tolist())
    n = fields[0].values.shape[0]
    X = np.column_stack(columns) if columns else np.empty((n, 0))
    return X, names, categorical, single
