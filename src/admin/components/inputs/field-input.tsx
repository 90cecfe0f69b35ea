// The input for one record field, chosen by its type.
import { BoolInput, DateInput, NumberInput, SelectInput, TextInput } from "./basic-inputs.tsx";
import { FileInput } from "./file-input.tsx";
import { GeopointInput } from "./geopoint-input.tsx";
import { JsonInput } from "./json-input.tsx";
import { ReferenceInput } from "./reference-input.tsx";
import { RichTextInput } from "./rich-text.tsx";
import { TagsInput } from "./tags-input.tsx";
import type { InputProps } from "./types.ts";
import { kindOf } from "./values.ts";

export function FieldInput(props: InputProps<any>) {
  switch (kindOf(props.field)) {
    case "editor":
      return <RichTextInput {...props} />;
    case "number":
      return <NumberInput {...props} />;
    case "bool":
      return <BoolInput {...props} />;
    case "date":
    case "datetime":
      return <DateInput {...props} />;
    case "select":
      return <SelectInput {...props} />;
    case "tags":
      return <TagsInput {...props} />;
    case "json":
      return <JsonInput {...props} />;
    case "geopoint":
      return <GeopointInput {...props} />;
    case "reference":
      return <ReferenceInput {...props} />;
    case "file":
      return <FileInput {...props} />;
    default:
      return <TextInput {...props} />;
  }
}
