using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Vigie.Config;

/// <summary>Generates the JSON Schema of the scene configuration from its types, descriptions included.</summary>
public static class SchemaGenerator
{
    public static string Generate()
    {
        var options = new JsonSerializerOptions(JsonSerializerOptions.Default)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            WriteIndented = true,
        };
        var exporter = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) =>
            {
                if (node is not JsonObject obj) return node;
                var attributes = context.PropertyInfo?.AttributeProvider ?? context.TypeInfo.Type;
                if (attributes.GetCustomAttributes(typeof(DescriptionAttribute), false).FirstOrDefault() is DescriptionAttribute d)
                    obj["description"] = d.Description;
                if (attributes.GetCustomAttributes(typeof(AllowedValuesAttribute), false).FirstOrDefault() is AllowedValuesAttribute a)
                    obj["enum"] = new JsonArray(a.Values.Select(v => (JsonNode?)JsonValue.Create(v?.ToString())).ToArray());
                if (context.PropertyInfo is null && context.TypeInfo.Kind == JsonTypeInfoKind.Object)
                    obj["additionalProperties"] = false;
                return obj;
            },
        };
        var schema = options.GetJsonSchemaAsNode(typeof(SceneConfig), exporter);
        if (schema is JsonObject root)
        {
            var ordered = new JsonObject
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["title"] = "Vigie scene configuration",
            };
            foreach (var (k, v) in root.ToList())
            {
                root.Remove(k);
                ordered[k] = v;
            }
            schema = ordered;
        }
        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
