"The learner: data (digits, photos, folders), pretrained bodies and heads, layer groups, schedules."
