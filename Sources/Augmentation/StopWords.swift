/// Words that data augmentation never replaces: function words carry the grammar of a sentence rather than its
/// content, so swapping them mostly produces broken text (TinyBERT's `data_augmentation.py` keeps a list for the
/// same reason).
public enum StopWords {
    /// Common English function words (pronouns, articles, auxiliaries, prepositions, conjunctions, negations and
    /// the contraction pieces the BERT pre-tokenizer splits off), lower-case. Negations are in it on purpose:
    /// replacing "not" or "no" would often flip the label a teacher gives the sentence.
    public static let english: Set<String> = [
        "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself",
        "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself",
        "they", "them", "their", "theirs", "themselves", "what", "which", "who", "whom", "whose", "this", "that",
        "these", "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having",
        "do", "does", "did", "doing", "will", "would", "shall", "should", "can", "could", "may", "might", "must",
        "a", "an", "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for",
        "with", "about", "against", "between", "into", "through", "during", "before", "after", "above", "below",
        "to", "from", "up", "down", "in", "out", "on", "off", "over", "under", "again", "further", "then", "once",
        "here", "there", "when", "where", "why", "how", "all", "any", "both", "each", "few", "more", "most",
        "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so", "than", "too", "very", "just",
        "now", "s", "t", "d", "ll", "m", "o", "re", "ve", "y", "don", "doesn", "didn", "isn", "aren", "wasn",
        "weren", "hasn", "haven", "hadn", "won", "wouldn", "shouldn", "couldn", "mustn", "needn", "ain",
        "n't", "also", "yet",
    ]
}
