//! The fixed word lists demo users are drawn from: skills, time zones with their languages,
//! names and universities, and the phrases headlines and bios are built from.
//!
//! Everything here is plain data so a change to it is a reviewable diff; the unit tests
//! push every entry through the domain parsers, which is what makes the generator's
//! `expect`s unreachable.

/// What a skill is about; mentors' skills cluster within one field, as real people's do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Server-side programming.
    Backend,
    /// Browser-side programming.
    Frontend,
    /// Phone apps.
    Mobile,
    /// Analytics and data engineering.
    Data,
    /// Machine learning and AI.
    Ml,
    /// Cloud, infrastructure and DevOps.
    Cloud,
    /// Security.
    Security,
    /// Databases.
    Databases,
    /// Low-level and systems programming.
    Systems,
    /// Computer-science theory and software craft.
    Cs,
    /// Mathematics.
    Maths,
    /// Natural sciences.
    Science,
    /// Visual and product design.
    Design,
    /// Music.
    Music,
    /// Writing and speaking.
    Writing,
    /// Exam preparation.
    Exams,
    /// Business, product and careers.
    Business,
    /// Game development.
    Games,
}

impl Field {
    /// Every field, for per-field tables.
    pub const ALL: [Field; 18] = [
        Field::Backend,
        Field::Frontend,
        Field::Mobile,
        Field::Data,
        Field::Ml,
        Field::Cloud,
        Field::Security,
        Field::Databases,
        Field::Systems,
        Field::Cs,
        Field::Maths,
        Field::Science,
        Field::Design,
        Field::Music,
        Field::Writing,
        Field::Exams,
        Field::Business,
        Field::Games,
    ];

    /// Position in [`Field::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// How a headline names years spent in the field ("8 years in backend").
    pub fn experience(self) -> &'static str {
        match self {
            Field::Backend => "backend",
            Field::Frontend => "frontend",
            Field::Mobile => "mobile apps",
            Field::Data => "data analytics",
            Field::Ml => "machine learning",
            Field::Cloud => "cloud & DevOps",
            Field::Security => "security",
            Field::Databases => "databases",
            Field::Systems => "systems programming",
            Field::Cs => "software engineering",
            Field::Maths => "maths teaching",
            Field::Science => "research",
            Field::Design => "product design",
            Field::Music => "music",
            Field::Writing => "publishing",
            Field::Exams => "exam coaching",
            Field::Business => "business",
            Field::Games => "game development",
        }
    }

    /// A job title for a mentor in the field.
    pub fn role(self) -> &'static str {
        match self {
            Field::Backend => "backend engineer",
            Field::Frontend => "frontend engineer",
            Field::Mobile => "mobile developer",
            Field::Data => "data analyst",
            Field::Ml => "ML engineer",
            Field::Cloud => "DevOps engineer",
            Field::Security => "security engineer",
            Field::Databases => "database engineer",
            Field::Systems => "systems programmer",
            Field::Cs => "software engineer",
            Field::Maths => "maths tutor",
            Field::Science => "science teacher",
            Field::Design => "product designer",
            Field::Music => "musician",
            Field::Writing => "writer and editor",
            Field::Exams => "exam coach",
            Field::Business => "consultant",
            Field::Games => "game developer",
        }
    }

    /// A study programme for someone learning the field (`None`: school-age exam prep).
    pub fn programme(self) -> Option<&'static str> {
        match self {
            Field::Backend | Field::Frontend | Field::Mobile | Field::Cloud | Field::Databases => {
                Some("Software Engineering")
            }
            Field::Systems | Field::Cs | Field::Security | Field::Games => Some("Computer Science"),
            Field::Data | Field::Ml => Some("Data Science"),
            Field::Maths => Some("Mathematics"),
            Field::Science => Some("Natural Sciences"),
            Field::Design => Some("Graphic Design"),
            Field::Music => Some("Music"),
            Field::Writing => Some("English Literature"),
            Field::Business => Some("Business Administration"),
            Field::Exams => None,
        }
    }
}

use Field::*;

/// 225 skills, most popular first: the generator's Zipf weights follow this order.
/// Human languages are deliberately absent: they belong in a profile's `languages`.
pub const SKILLS: &[(&str, Field)] = &[
    ("Python", Backend),
    ("JavaScript", Frontend),
    ("SQL", Databases),
    ("Java", Backend),
    ("React", Frontend),
    ("Machine Learning", Ml),
    ("Calculus", Maths),
    ("TypeScript", Frontend),
    ("Excel", Business),
    ("Data Analysis", Data),
    ("C++", Systems),
    ("Linear Algebra", Maths),
    ("Algorithms", Cs),
    ("Statistics", Maths),
    ("Node.js", Backend),
    ("AWS", Cloud),
    ("HTML", Frontend),
    ("CSS", Frontend),
    ("Git", Cloud),
    ("Docker", Cloud),
    ("Data Structures", Cs),
    ("C#", Backend),
    ("Physics", Science),
    ("UI Design", Design),
    ("Go", Backend),
    ("Pandas", Data),
    ("Deep Learning", Ml),
    ("Rust", Systems),
    ("Kotlin", Mobile),
    ("Swift", Mobile),
    ("PostgreSQL", Databases),
    ("Linux", Cloud),
    ("Kubernetes", Cloud),
    ("Figma", Design),
    ("System Design", Cs),
    ("IELTS Preparation", Exams),
    ("Chemistry", Science),
    ("Probability", Maths),
    ("Guitar", Music),
    ("Piano", Music),
    ("Academic Writing", Writing),
    ("PHP", Backend),
    ("Django", Backend),
    ("Spring Boot", Backend),
    ("Flutter", Mobile),
    ("Coding Interviews", Exams),
    ("PyTorch", Ml),
    ("Vue.js", Frontend),
    ("Angular", Frontend),
    ("Product Management", Business),
    ("SAT Preparation", Exams),
    ("Public Speaking", Writing),
    ("TensorFlow", Ml),
    ("MongoDB", Databases),
    ("Biology", Science),
    ("Terraform", Cloud),
    ("CI/CD", Cloud),
    ("Next.js", Frontend),
    ("Azure", Cloud),
    ("Google Cloud", Cloud),
    ("FastAPI", Backend),
    ("Flask", Backend),
    ("Cybersecurity", Security),
    ("R", Data),
    ("Power BI", Data),
    ("Tableau", Data),
    ("NumPy", Data),
    ("scikit-learn", Ml),
    ("React Native", Mobile),
    ("Android", Mobile),
    ("iOS", Mobile),
    ("Unity", Games),
    ("C", Systems),
    ("UX Design", Design),
    ("Graphic Design", Design),
    ("Discrete Mathematics", Maths),
    ("Differential Equations", Maths),
    ("Operating Systems", Cs),
    ("Computer Networks", Cs),
    ("Economics", Business),
    ("Accounting", Business),
    ("Digital Marketing", Business),
    ("Creative Writing", Writing),
    ("Music Theory", Music),
    ("Natural Language Processing", Ml),
    ("Computer Vision", Ml),
    ("Generative AI", Ml),
    ("Data Visualization", Data),
    ("MySQL", Databases),
    ("Redis", Databases),
    ("GraphQL", Backend),
    ("REST APIs", Backend),
    ("Microservices", Backend),
    ("ASP.NET Core", Backend),
    ("Ruby", Backend),
    ("Ruby on Rails", Backend),
    ("Tailwind CSS", Frontend),
    ("Redux", Frontend),
    ("Svelte", Frontend),
    ("Jetpack Compose", Mobile),
    ("SwiftUI", Mobile),
    ("Apache Spark", Data),
    ("Data Engineering", Data),
    ("MLOps", Ml),
    ("Penetration Testing", Security),
    ("Network Security", Security),
    ("Cryptography", Security),
    ("Embedded Systems", Systems),
    ("Arduino", Systems),
    ("Unreal Engine", Games),
    ("Game Design", Games),
    ("Blender", Design),
    ("Adobe Photoshop", Design),
    ("Adobe Illustrator", Design),
    ("Video Editing", Design),
    ("Photography", Design),
    ("Music Production", Music),
    ("Singing", Music),
    ("Violin", Music),
    ("Drums", Music),
    ("Technical Writing", Writing),
    ("Essay Writing", Writing),
    ("Copywriting", Writing),
    ("TOEFL Preparation", Exams),
    ("GRE Preparation", Exams),
    ("GMAT Preparation", Exams),
    ("AP Calculus", Exams),
    ("IB Mathematics", Exams),
    ("A-Level Maths", Exams),
    ("JEE Preparation", Exams),
    ("Finance", Business),
    ("Financial Modeling", Business),
    ("Project Management", Business),
    ("Agile", Business),
    ("Organic Chemistry", Science),
    ("Biochemistry", Science),
    ("Genetics", Science),
    ("Astronomy", Science),
    ("Electronics", Science),
    ("Thermodynamics", Science),
    ("Quantum Mechanics", Science),
    ("Classical Mechanics", Science),
    ("Electromagnetism", Science),
    ("MATLAB", Science),
    ("Trigonometry", Maths),
    ("Algebra", Maths),
    ("Pre-Calculus", Maths),
    ("Real Analysis", Maths),
    ("Abstract Algebra", Maths),
    ("Number Theory", Maths),
    ("Graph Theory", Maths),
    ("Combinatorics", Maths),
    ("Numerical Methods", Maths),
    ("Optimization", Maths),
    ("Bayesian Statistics", Maths),
    ("Econometrics", Data),
    ("Time Series", Data),
    ("A/B Testing", Data),
    ("dbt", Data),
    ("Apache Airflow", Data),
    ("Snowflake", Data),
    ("BigQuery", Data),
    ("Apache Kafka", Data),
    ("DynamoDB", Databases),
    ("Elasticsearch", Databases),
    ("Cassandra", Databases),
    ("SQLite", Databases),
    ("Database Design", Databases),
    ("Reinforcement Learning", Ml),
    ("Large Language Models", Ml),
    ("Serverless", Cloud),
    ("Ansible", Cloud),
    ("GitHub Actions", Cloud),
    ("Prometheus", Cloud),
    ("Nginx", Cloud),
    ("Bash", Cloud),
    ("PowerShell", Cloud),
    ("Distributed Systems", Cs),
    ("Compilers", Cs),
    ("Functional Programming", Cs),
    ("Design Patterns", Cs),
    ("Test-Driven Development", Cs),
    ("Object-Oriented Design", Cs),
    ("Competitive Programming", Exams),
    ("Haskell", Cs),
    ("Scala", Backend),
    ("Elixir", Backend),
    ("Dart", Mobile),
    ("Objective-C", Mobile),
    ("Julia", Data),
    ("Lua", Games),
    ("Godot", Games),
    ("WebAssembly", Systems),
    ("Assembly", Systems),
    ("Zig", Systems),
    ("Verilog", Systems),
    ("Raspberry Pi", Systems),
    ("Reverse Engineering", Security),
    ("Web Accessibility", Frontend),
    ("Three.js", Frontend),
    ("D3.js", Frontend),
    ("Typography", Design),
    ("3D Modeling", Design),
    ("Motion Graphics", Design),
    ("Illustration", Design),
    ("UX Research", Design),
    ("Audio Engineering", Music),
    ("Composition", Music),
    ("Bass Guitar", Music),
    ("Ableton Live", Music),
    ("Storytelling", Writing),
    ("Journalism", Writing),
    ("Editing", Writing),
    ("Marketing", Business),
    ("SEO", Business),
    ("Sales", Business),
    ("Startup Fundraising", Business),
    ("Career Planning", Business),
    ("Leadership", Business),
    ("Quantum Computing", Science),
    ("Neuroscience", Science),
    ("Environmental Science", Science),
    ("Solidity", Backend),
    ("Fortran", Systems),
    ("COBOL", Backend),
];

/// A culture's first and last names, so a user's name fits their time zone.
pub struct Names {
    /// Given names.
    pub first: &'static [&'static str],
    /// Family names.
    pub last: &'static [&'static str],
}

const ANGLO: Names = Names {
    first: &["James", "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Sophie", "Jack", "Grace", "Ryan", "Chloe"],
    last: &[
        "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Miller", "Clarke", "Walker", "Thompson", "Hughes",
        "Evans",
    ],
};
const HISPANIC: Names = Names {
    first: &[
        "Sofía",
        "Mateo",
        "Valentina",
        "Santiago",
        "Camila",
        "Diego",
        "Lucía",
        "Alejandro",
        "Isabella",
        "Javier",
        "María",
        "Carlos",
    ],
    last: &[
        "García",
        "Rodríguez",
        "Martínez",
        "López",
        "Hernández",
        "González",
        "Pérez",
        "Sánchez",
        "Ramírez",
        "Torres",
        "Flores",
        "Morales",
    ],
};
const LUSOPHONE: Names = Names {
    first: &[
        "João", "Ana", "Pedro", "Beatriz", "Lucas", "Mariana", "Gabriel", "Larissa", "Rafael", "Camila", "Thiago",
        "Fernanda",
    ],
    last: &[
        "Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Ferreira", "Carvalho", "Ribeiro",
        "Lima", "Gomes",
    ],
};
const FRENCH: Names = Names {
    first: &["Camille", "Louis", "Léa", "Hugo", "Chloé", "Lucas", "Manon", "Jules", "Inès", "Arthur"],
    last: &["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"],
};
const GERMAN: Names = Names {
    first: &["Lukas", "Anna", "Leon", "Mia", "Felix", "Hannah", "Jonas", "Lea", "Paul", "Laura"],
    last: &["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schulz"],
};
const ITALIAN: Names = Names {
    first: &["Giulia", "Marco", "Chiara", "Luca", "Francesca", "Alessandro", "Sara", "Matteo", "Elena", "Davide"],
    last: &["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco"],
};
const DUTCH: Names = Names {
    first: &["Daan", "Sanne", "Bram", "Lotte", "Sem", "Fleur"],
    last: &["de Jong", "Jansen", "de Vries", "van Dijk", "Bakker", "Visser"],
};
const POLISH: Names = Names {
    first: &["Jakub", "Zuzanna", "Kacper", "Julia", "Szymon", "Maja"],
    last: &["Nowak", "Wójcik", "Mazur", "Krawczyk", "Kaczmarek", "Zając"],
};
const TURKISH: Names = Names {
    first: &["Elif", "Mehmet", "Zeynep", "Mustafa", "Ayşe", "Emre", "Defne", "Burak"],
    last: &["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Öztürk"],
};
const UKRAINIAN: Names = Names {
    first: &["Olena", "Andriy", "Iryna", "Dmytro", "Oksana", "Taras"],
    last: &["Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk"],
};
const ARABIC: Names = Names {
    first: &["Omar", "Fatima", "Ahmed", "Layla", "Youssef", "Mariam", "Karim", "Nour", "Hassan", "Salma"],
    last: &["Hassan", "Ali", "Mahmoud", "Ibrahim", "El-Sayed", "Mansour", "Haddad", "Khalil", "Nasser", "Saleh"],
};
const WEST_AFRICAN: Names = Names {
    first: &["Chinedu", "Ngozi", "Oluwaseun", "Adaeze", "Emeka", "Funmilayo", "Tunde", "Amaka"],
    last: &["Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Olawale", "Nwosu", "Bello"],
};
const EAST_AFRICAN: Names = Names {
    first: &["Wanjiru", "Kamau", "Achieng", "Otieno", "Njeri", "Mwangi", "Amani", "Baraka"],
    last: &["Mwangi", "Otieno", "Kariuki", "Ochieng", "Wambui", "Kiprop", "Mutua", "Njoroge"],
};
const SOUTH_AFRICAN: Names = Names {
    first: &["Thabo", "Lerato", "Sipho", "Naledi", "Pieter", "Zanele"],
    last: &["Nkosi", "Dlamini", "van der Merwe", "Botha", "Mokoena", "Khumalo"],
};
const INDIAN: Names = Names {
    first: &[
        "Aarav", "Priya", "Rohan", "Ananya", "Arjun", "Diya", "Vikram", "Kavya", "Rahul", "Sneha", "Aditya", "Meera",
    ],
    last: &["Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Singh", "Nair", "Kumar", "Joshi", "Mehta", "Rao", "Das"],
};
const PAKISTANI: Names = Names {
    first: &["Ali", "Ayesha", "Hamza", "Fatima", "Usman", "Zainab", "Bilal", "Hira"],
    last: &["Khan", "Ahmed", "Malik", "Qureshi", "Hussain", "Raza", "Siddiqui", "Chaudhry"],
};
const BANGLADESHI: Names = Names {
    first: &["Rahim", "Nusrat", "Tanvir", "Farzana", "Arif", "Sadia"],
    last: &["Rahman", "Hossain", "Islam", "Chowdhury", "Ahmed", "Uddin"],
};
const CHINESE: Names = Names {
    first: &["Wei", "Na", "Hao", "Xin", "Jun", "Mei", "Yi", "Lei", "Jing", "Tao"],
    last: &["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"],
};
const JAPANESE: Names = Names {
    first: &["Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina", "Yuto", "Sakura"],
    last: &["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"],
};
const KOREAN: Names = Names {
    first: &["Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yun", "Ji-woo"],
    last: &["Kim", "Lee", "Park", "Choi", "Jung", "Kang"],
};
const INDONESIAN: Names = Names {
    first: &["Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri", "Andi", "Ayu"],
    last: &["Santoso", "Wijaya", "Pratama", "Saputra", "Hidayat", "Nugroho", "Kusuma", "Setiawan"],
};
const FILIPINO: Names = Names {
    first: &["Juan", "Maria", "Jose", "Angelica", "Mark", "Kristine"],
    last: &["Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza"],
};
const VIETNAMESE: Names = Names {
    first: &["Minh", "Linh", "Huy", "Trang", "Duc", "Thao", "Nam", "Lan"],
    last: &["Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui"],
};

/// A time zone users live in, with who lives there.
pub struct Zone {
    /// IANA name.
    pub name: &'static str,
    /// Relative share of users (roughly the online population the zone covers).
    pub weight: f64,
    /// Local languages with the chance a user there speaks each (at least one is kept).
    pub languages: &'static [(&'static str, f64)],
    /// Chance a user there also holds sessions in English (when it is not already local).
    pub english: f64,
    /// Names that fit the place.
    pub names: &'static Names,
    /// A local university for academic details.
    pub university: &'static str,
}

/// 38 zones on every inhabited continent, weighted by population online.
pub const ZONES: &[Zone] = &[
    // Americas
    Zone {
        name: "America/New_York",
        weight: 8.0,
        languages: &[("en", 1.0), ("es", 0.15)],
        english: 1.0,
        names: &ANGLO,
        university: "Columbia University",
    },
    Zone {
        name: "America/Chicago",
        weight: 5.0,
        languages: &[("en", 1.0), ("es", 0.15)],
        english: 1.0,
        names: &ANGLO,
        university: "University of Illinois",
    },
    Zone {
        name: "America/Denver",
        weight: 2.0,
        languages: &[("en", 1.0), ("es", 0.1)],
        english: 1.0,
        names: &ANGLO,
        university: "University of Colorado Boulder",
    },
    Zone {
        name: "America/Los_Angeles",
        weight: 6.0,
        languages: &[("en", 1.0), ("es", 0.2)],
        english: 1.0,
        names: &ANGLO,
        university: "UCLA",
    },
    Zone {
        name: "America/Toronto",
        weight: 3.0,
        languages: &[("en", 1.0), ("fr", 0.25)],
        english: 1.0,
        names: &ANGLO,
        university: "University of Toronto",
    },
    Zone {
        name: "America/Mexico_City",
        weight: 6.0,
        languages: &[("es", 1.0)],
        english: 0.55,
        names: &HISPANIC,
        university: "UNAM",
    },
    Zone {
        name: "America/Bogota",
        weight: 3.0,
        languages: &[("es", 1.0)],
        english: 0.45,
        names: &HISPANIC,
        university: "Universidad de los Andes",
    },
    Zone {
        name: "America/Lima",
        weight: 2.0,
        languages: &[("es", 1.0), ("qu", 0.05)],
        english: 0.4,
        names: &HISPANIC,
        university: "Pontificia Universidad Católica del Perú",
    },
    Zone {
        name: "America/Sao_Paulo",
        weight: 8.0,
        languages: &[("pt-BR", 1.0), ("es", 0.15)],
        english: 0.5,
        names: &LUSOPHONE,
        university: "Universidade de São Paulo",
    },
    Zone {
        name: "America/Argentina/Buenos_Aires",
        weight: 3.0,
        languages: &[("es", 1.0), ("it", 0.05)],
        english: 0.5,
        names: &HISPANIC,
        university: "Universidad de Buenos Aires",
    },
    Zone {
        name: "America/Santiago",
        weight: 2.0,
        languages: &[("es", 1.0)],
        english: 0.45,
        names: &HISPANIC,
        university: "Universidad de Chile",
    },
    // Europe
    Zone {
        name: "Europe/London",
        weight: 4.0,
        languages: &[("en", 1.0), ("fr", 0.08)],
        english: 1.0,
        names: &ANGLO,
        university: "Imperial College London",
    },
    Zone {
        name: "Europe/Madrid",
        weight: 4.0,
        languages: &[("es", 1.0), ("ca", 0.12)],
        english: 0.6,
        names: &HISPANIC,
        university: "Universidad Complutense de Madrid",
    },
    Zone {
        name: "Europe/Paris",
        weight: 4.0,
        languages: &[("fr", 1.0), ("es", 0.08)],
        english: 0.6,
        names: &FRENCH,
        university: "Sorbonne Université",
    },
    Zone {
        name: "Europe/Berlin",
        weight: 5.0,
        languages: &[("de", 1.0), ("tr", 0.05)],
        english: 0.8,
        names: &GERMAN,
        university: "TU Berlin",
    },
    Zone {
        name: "Europe/Rome",
        weight: 3.0,
        languages: &[("it", 1.0)],
        english: 0.55,
        names: &ITALIAN,
        university: "Sapienza University of Rome",
    },
    Zone {
        name: "Europe/Amsterdam",
        weight: 2.0,
        languages: &[("nl", 1.0), ("de", 0.15)],
        english: 0.95,
        names: &DUTCH,
        university: "University of Amsterdam",
    },
    Zone {
        name: "Europe/Warsaw",
        weight: 2.0,
        languages: &[("pl", 1.0)],
        english: 0.7,
        names: &POLISH,
        university: "University of Warsaw",
    },
    Zone {
        name: "Europe/Istanbul",
        weight: 4.0,
        languages: &[("tr", 1.0)],
        english: 0.5,
        names: &TURKISH,
        university: "Boğaziçi University",
    },
    Zone {
        name: "Europe/Kyiv",
        weight: 2.0,
        languages: &[("uk", 1.0), ("ru", 0.3)],
        english: 0.6,
        names: &UKRAINIAN,
        university: "Kyiv Polytechnic Institute",
    },
    // Africa
    Zone {
        name: "Africa/Lagos",
        weight: 6.0,
        languages: &[("en", 1.0), ("yo", 0.35), ("ig", 0.2)],
        english: 1.0,
        names: &WEST_AFRICAN,
        university: "University of Lagos",
    },
    Zone {
        name: "Africa/Cairo",
        weight: 5.0,
        languages: &[("ar", 1.0), ("fr", 0.08)],
        english: 0.55,
        names: &ARABIC,
        university: "Cairo University",
    },
    Zone {
        name: "Africa/Nairobi",
        weight: 3.0,
        languages: &[("en", 1.0), ("sw", 0.6)],
        english: 1.0,
        names: &EAST_AFRICAN,
        university: "University of Nairobi",
    },
    Zone {
        name: "Africa/Johannesburg",
        weight: 2.0,
        languages: &[("en", 1.0), ("zu", 0.25), ("af", 0.2)],
        english: 1.0,
        names: &SOUTH_AFRICAN,
        university: "University of the Witwatersrand",
    },
    Zone {
        name: "Africa/Casablanca",
        weight: 2.0,
        languages: &[("ar", 1.0), ("fr", 0.7)],
        english: 0.3,
        names: &ARABIC,
        university: "Hassan II University",
    },
    // Asia
    Zone {
        name: "Asia/Kolkata",
        weight: 16.0,
        languages: &[("hi", 0.7), ("ta", 0.12), ("te", 0.1), ("mr", 0.08)],
        english: 0.9,
        names: &INDIAN,
        university: "IIT Bombay",
    },
    Zone {
        name: "Asia/Shanghai",
        weight: 12.0,
        languages: &[("zh", 1.0)],
        english: 0.4,
        names: &CHINESE,
        university: "Fudan University",
    },
    Zone {
        name: "Asia/Tokyo",
        weight: 5.0,
        languages: &[("ja", 1.0)],
        english: 0.35,
        names: &JAPANESE,
        university: "University of Tokyo",
    },
    Zone {
        name: "Asia/Seoul",
        weight: 3.0,
        languages: &[("ko", 1.0)],
        english: 0.45,
        names: &KOREAN,
        university: "Seoul National University",
    },
    Zone {
        name: "Asia/Jakarta",
        weight: 7.0,
        languages: &[("id", 1.0), ("jv", 0.1)],
        english: 0.45,
        names: &INDONESIAN,
        university: "Universitas Indonesia",
    },
    Zone {
        name: "Asia/Manila",
        weight: 4.0,
        languages: &[("fil", 1.0)],
        english: 0.9,
        names: &FILIPINO,
        university: "University of the Philippines",
    },
    Zone {
        name: "Asia/Ho_Chi_Minh",
        weight: 4.0,
        languages: &[("vi", 1.0)],
        english: 0.45,
        names: &VIETNAMESE,
        university: "Vietnam National University",
    },
    Zone {
        name: "Asia/Karachi",
        weight: 5.0,
        languages: &[("ur", 1.0), ("pa", 0.15)],
        english: 0.75,
        names: &PAKISTANI,
        university: "University of Karachi",
    },
    Zone {
        name: "Asia/Dhaka",
        weight: 4.0,
        languages: &[("bn", 1.0)],
        english: 0.6,
        names: &BANGLADESHI,
        university: "University of Dhaka",
    },
    Zone {
        name: "Asia/Dubai",
        weight: 1.0,
        languages: &[("ar", 0.6), ("hi", 0.2)],
        english: 0.95,
        names: &ARABIC,
        university: "American University in Dubai",
    },
    Zone {
        name: "Asia/Singapore",
        weight: 1.0,
        languages: &[("en", 1.0), ("zh", 0.4), ("ms", 0.15)],
        english: 1.0,
        names: &CHINESE,
        university: "National University of Singapore",
    },
    // Oceania
    Zone {
        name: "Australia/Sydney",
        weight: 2.0,
        languages: &[("en", 1.0)],
        english: 1.0,
        names: &ANGLO,
        university: "University of Sydney",
    },
    Zone {
        name: "Pacific/Auckland",
        weight: 1.0,
        languages: &[("en", 1.0), ("mi", 0.05)],
        english: 1.0,
        names: &ANGLO,
        university: "University of Auckland",
    },
];
